"""Word lists for synthetic people and places in the fictional town of Northbridge.

First names and surnames are common in England, so no combination points at a real person more
than any other; streets are invented. Postcodes use the area "NB", which no real UK postcode has.
"""

from __future__ import annotations

TOWN = "Northbridge"

GIRLS = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace", "Willow",
    "Freya", "Florence", "Emily", "Ella", "Poppy", "Evie", "Elsie", "Charlotte", "Evelyn", "Sienna", "Daisy",
    "Phoebe", "Sophie", "Alice", "Harper", "Matilda", "Ruby", "Esme", "Maya", "Ellie", "Millie", "Hallie",
    "Eliza", "Chloe", "Aria", "Holly", "Lola", "Jessica", "Layla", "Bonnie", "Maisie", "Niamh", "Amber",
    "Leah", "Zara", "Aisha", "Hannah", "Imogen", "Scarlett", "Nancy", "Thea", "Ayla", "Lacey", "Kacey",
    "Courtney", "Megan", "Paige", "Summer", "Skye", "Jasmine", "Erin", "Molly", "Amira", "Maryam",
)  # fmt: skip

BOYS = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Archie", "Henry", "Theodore", "Freddie",
    "Jack", "Charlie", "Theo", "Alfie", "Jacob", "Thomas", "Finley", "Arlo", "William", "Lucas", "Roman",
    "Isaac", "Teddy", "Ethan", "Reggie", "Joshua", "Louie", "Jaxon", "Riley", "Ronnie", "Harrison", "Oakley",
    "Rory", "Max", "Albie", "Logan", "Ezra", "Dylan", "Jenson", "Elijah", "Kai", "Jayden", "Brodie", "Callum",
    "Ryan", "Connor", "Liam", "Harley", "Bobby", "Tommy", "Frankie", "Mohammed", "Yusuf", "Ibrahim", "Zayn",
    "Ollie", "Caleb", "Reuben", "Jude", "Luca", "Kian", "Corey", "Bailey", "Kieran", "Lewis",
)  # fmt: skip

WOMEN = (
    "Emma", "Sarah", "Laura", "Gemma", "Kayleigh", "Stacey", "Kirsty", "Jodie", "Natalie", "Rebecca", "Amy",
    "Hayley", "Charlotte", "Danielle", "Lauren", "Jade", "Leanne", "Claire", "Nicola", "Michelle", "Samantha",
    "Victoria", "Rachel", "Katie", "Zoe", "Chelsea", "Shannon", "Toni", "Kelly", "Carly", "Emily", "Hannah",
    "Jenna", "Becky", "Abbie", "Louise", "Joanne", "Lisa", "Tracey", "Karen", "Julie", "Donna", "Sharon",
    "Fatima", "Nadia", "Aleksandra", "Agnieszka", "Precious", "Chantelle", "Tanya", "Siobhan", "Bethany",
)  # fmt: skip

MEN = (
    "Daniel", "Craig", "Lee", "Mark", "Jamie", "Ashley", "Wayne", "Darren", "Scott", "Ryan", "Liam", "Adam",
    "Luke", "Dean", "Shaun", "Carl", "Matthew", "Christopher", "Stephen", "Paul", "Kevin", "Gary", "Jason",
    "Michael", "Richard", "Anthony", "Jordan", "Nathan", "Aaron", "Robert", "Martin", "Neil", "Stuart",
    "Ben", "Tom", "Josh", "Connor", "Reece", "Bradley", "Imran", "Tariq", "Piotr", "Tomasz", "Emeka", "Dwayne",
    "Gareth", "Ricky", "Terry", "Steven", "Alan", "Keith",
)  # fmt: skip

SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Harris",
    "Lewis", "Hughes", "Cooper", "Turner", "Hill", "Ward", "Moore", "King", "Harrison", "Morgan", "Baker",
    "Allen", "Clark", "Scott", "Young", "Mitchell", "Carter", "Phillips", "Watson", "Parker", "Bennett",
    "Cook", "Edwards", "Shaw", "Lee", "Bailey", "Holmes", "Chapman", "Webb", "Marshall", "Ellis", "Murray",
    "Mason", "Fletcher", "Kelly", "Atkinson", "Lloyd", "Barker", "Butler", "Dixon", "Hunt", "Foster",
    "Pearson", "Reynolds", "Stevens", "Barnes", "Fisher", "Hudson", "Gibson", "Knight", "Dawson", "Holland",
    "Matthews", "Brooks", "Armstrong", "Simpson", "Hayes", "Lawson", "Kaur", "Begum", "Khan", "Hussain",
    "Ahmed", "Ali", "Patel", "Singh", "Kowalski", "Nowak", "Okafor", "Mensah", "Campbell", "Stewart", "Grant",
    "Doyle", "Brennan", "Walsh", "Quinn", "Gallagher", "Lowe", "Briggs", "Hartley", "Pickering", "Sutcliffe",
    "Haigh", "Naylor", "Crowther", "Ackroyd", "Ramsden", "Greenwood", "Booth", "Firth", "Pollard", "Rhodes",
    "Whitaker", "Holroyd", "Priestley", "Barraclough", "Hirst", "Sykes", "Lumb", "Bottomley", "Shackleton",
)  # fmt: skip

STREETS = (
    "Alder", "Brindley", "Canal", "Foundry", "Mill", "Weavers", "Kiln", "Ropewalk", "Chapel", "Orchard",
    "Beacon", "Heath", "Tannery", "Wharf", "Station", "Victoria", "Albion", "Gasworks", "Ferry", "Quarry",
    "Spinners", "Lock", "Bridgewater", "Coldharbour", "Larkspur", "Hawthorn", "Rowan", "Elmfield", "Ashgrove",
    "Birchwood", "Cedar", "Juniper", "Marlpit", "Nettleton", "Otterburn", "Pennine", "Riverside", "Saxon",
    "Thornley", "Underhill", "Vicarage", "Westgate", "Yarrow", "Kestrel", "Linnet", "Plover", "Heron",
    "Curlew", "Moorside", "Fellside", "Brookfield", "Greenbank", "Highfield", "Lowfield", "Netherby",
)  # fmt: skip

STREET_KINDS = ("Street", "Road", "Lane", "Close", "Avenue", "Way", "Court", "Grove", "Terrace", "Crescent", "Walk")

# Letters a real UK postcode's last two characters never use (C, I, K, M, O, V).
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
